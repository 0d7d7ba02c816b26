"""Each refusal of the engine tells the counter clerk, in a sentence, what it refused: the matter, the city,
the channel or the step (pure). The reason codes are for programs; these words are what a person reads."""

import pytest

from config_center.runtime.engine import Refusal, checklist, sms_slot
from tests.factories.engine import ZHONGSHAN, make_snapshot


@pytest.fixture(scope="module")
def snap():
    return make_snapshot(gs0301_zs_active=False)


def test_the_checklist_refusals_name_what_they_refused(snap):
    assert checklist(snap, matter="GS9999", region=ZHONGSHAN, channel="counter") == Refusal(
        "unknown_matter", "事项 GS9999 不在事项目录中。"
    )
    assert checklist(snap, matter="GS0101", region="445100", channel="counter") == Refusal(
        "unknown_region", "地区 445100 不是已知的地市，也没有已发布的配置。"
    )
    assert checklist(snap, matter="GS0101", region=ZHONGSHAN, channel="fax") == Refusal(
        "unknown_channel", "办理渠道 fax 不存在。"
    )
    assert checklist(snap, matter="GS0301", region=ZHONGSHAN, channel="counter") == Refusal(
        "not_bound", "事项 GS0301 在地区 442000 的已发布配置中未绑定（或已停用）。"
    )


def test_the_sms_refusals_name_what_they_refused(snap):
    assert sms_slot(snap, matter="GS9999", region=ZHONGSHAN, event="accepted") == Refusal(
        "unknown_matter", "事项 GS9999 不在事项目录中。"
    )
    assert sms_slot(snap, matter="GS0101", region="445100", event="accepted") == Refusal(
        "unknown_region", "地区 445100 不是已知的地市，也没有已发布的配置。"
    )
    assert sms_slot(snap, matter="GS0101", region=ZHONGSHAN, event="sent_by_pigeon") == Refusal(
        "unknown_event", "短信环节 sent_by_pigeon 不存在。"
    )
    assert sms_slot(snap, matter="GS0301", region=ZHONGSHAN, event="accepted") == Refusal(
        "not_bound", "事项 GS0301 在地区 442000 的已发布配置中未绑定（或已停用）。"
    )
