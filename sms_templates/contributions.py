"""What sms_templates contributes: placeholders and example templates, the sweeper's schedule, history
tables, the preview API and the 短信模板大类 / 短信模板 sheets."""

from core.registry import registry

from .api import router
from .models import PlaceholderCode, SmsTemplate, SmsTemplateCategory
from .resources import SmsTemplateCategoryResource, SmsTemplateResource
from .services import sms_reference_data_load, sms_sweep_schedule_ensure

registry.reference_data("sms_templates", sms_reference_data_load, order=20)
registry.reference_data("sms_sweep_schedule", sms_sweep_schedule_ensure, order=80)
registry.api_router(router)
registry.history(SmsTemplateCategory, search=("name",), label_joins=("region",), order=70)
registry.history(SmsTemplate, search=("function_code", "name"), order=75)
registry.history(PlaceholderCode, search=("code", "meaning"), order=80)
registry.sheet(SmsTemplateCategoryResource, order=5)
registry.sheet(SmsTemplateResource, order=10)
