from tests.sms_templates.fixtures import clock, memory_gateway  # noqa: F401
