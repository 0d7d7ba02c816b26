"""The project package proper: admin site, API root, URLs, discovery of what each app contributes,
reference and demo data. The top layer: it may import every app to mount it; nothing imports it."""
