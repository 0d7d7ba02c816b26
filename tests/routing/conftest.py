from tests.routing.fixtures import published_sms  # noqa: F401
from tests.sms_templates.fixtures import clock, memory_gateway  # noqa: F401
