"""The shared vocabulary: regions, agencies, channels, matters, materials and reference data."""
