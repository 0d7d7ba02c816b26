"""Settings for the console, read from the environment (see ``base``)."""

from .base import *  # noqa: F401,F403
