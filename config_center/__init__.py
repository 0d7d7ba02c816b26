"""工伤保险经办配置中心: the Django project package and the configuration centre.

Kept free of Django imports so that ``python -m config_center.bootstrap`` runs on a bare Python.
"""
