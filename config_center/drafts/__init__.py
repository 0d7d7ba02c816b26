"""Drafts: a city's binding of matters and their configuration as it is being edited (本地业务属性定义),
the rules that judge it, and its plain-data form (the configuration a release stores)."""
