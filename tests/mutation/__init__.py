"""The on-demand mutation run (``run.py``); nothing here is collected by the default test run."""
