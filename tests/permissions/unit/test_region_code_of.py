"""Which region an object lies in, followed along its model's ``scope_region_path`` (no database)."""

from catalog.models import Matter, Region
from config_center.drafts.models import ChecklistItem, LocalMatter
from permissions.selectors import region_code_of
from sms_templates.models import SmsTemplate, SmsTemplateCategory

GUANGZHOU = Region(code="440100", name="广州市", level=Region.Level.CITY)


def test_a_region_is_in_itself():
    assert region_code_of(GUANGZHOU) == "440100"


def test_an_object_is_in_the_region_at_the_end_of_its_path():
    local = LocalMatter(region=GUANGZHOU)
    assert region_code_of(local) == "440100"
    assert region_code_of(ChecklistItem(local_matter=local)) == "440100"
    assert region_code_of(SmsTemplate(category=SmsTemplateCategory(region=GUANGZHOU))) == "440100"


def test_an_object_with_an_empty_step_on_its_path_is_province_wide():
    assert region_code_of(SmsTemplate(category=SmsTemplateCategory(region=None))) is None
    assert region_code_of(ChecklistItem()) is None


def test_an_object_of_a_model_without_a_path_is_province_wide():
    assert region_code_of(Matter(code="GS0101")) is None
