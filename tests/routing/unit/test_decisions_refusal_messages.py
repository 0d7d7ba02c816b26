"""Each refusal of the route decision tells the counter clerk what is wrong and where to go (pure)."""

import datetime

import pytest

from config_center.runtime.engine import Refusal
from tests.factories.engine import GZ_AGENCY, ZS_AGENCY, go, make_snapshot


@pytest.fixture(scope="module")
def snap():
    return make_snapshot()


def test_an_unknown_matter_or_agency_is_named(snap):
    assert go(snap, ZS_AGENCY, ZS_AGENCY, matter="GS9999") == Refusal(
        "unknown_matter", "事项 GS9999 不在事项目录中。"
    )
    assert go(snap, "445199", ZS_AGENCY) == Refusal("unknown_agency", "受理机构 445199 不存在。")
    assert go(snap, ZS_AGENCY, "445199") == Refusal("unknown_agency", "参保机构 445199 不存在。")


def test_a_matter_not_bound_in_the_insured_city_names_matter_and_city(snap):
    assert go(snap, ZS_AGENCY, GZ_AGENCY, matter="GS0301") == Refusal(
        "not_bound", "事项 GS0301 在地区 440100 的已发布配置中未绑定（或已停用）。"
    )


def test_the_remote_refusals_send_the_person_to_the_insured_city(snap):
    assert go(snap, ZS_AGENCY, GZ_AGENCY) == Refusal(
        "local_only",
        "参保地 440100 的“工伤医疗费”为本地模式（或不在全省通办范围），不能异地受理，请到参保地经办机构办理。",
    )
    assert go(snap, GZ_AGENCY, ZS_AGENCY, injury=datetime.date(2019, 6, 30)) == Refusal(
        "before_2019_07_01",
        "工伤发生时间在 2019 年 7 月 1 日之前，不适用线下全省通办，请到参保地办理。",
    )
    assert go(snap, GZ_AGENCY, ZS_AGENCY, advance=True) == Refusal(
        "advance_payment_excluded", "涉及申请先行支付的业务不适用线下全省通办，请到参保地办理。"
    )
