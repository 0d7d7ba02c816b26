"""How a node runs the console: gunicorn's configuration (gunicorn.conf.py) and its access log."""
