"""发布 / 回滚 / 对比, four eyes, the management commands and the release screens."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalog.models import Channel, Material, Matter, Region
from config_center.drafts.models import ChecklistItem, LocalMatter
from config_center.drafts.services import local_matter_bind, local_matter_unbind
from config_center.releases.models import PublishPolicy, Release
from config_center.releases.services import PublishRefused, release_publish, release_rollback
from permissions.models import Role
from permissions.services import assignment_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhongshan(reference_data):
    return Region.objects.get(code="442000")


@pytest.fixture
def admins(zhongshan):
    """Two 市级系统管理员 of 中山 (publishing needs the capability in the city)."""
    User = get_user_model()
    role = Role.objects.get(code="city_admin")
    users = []
    for name in ("zs_admin_a", "zs_admin_b"):
        user = User.objects.create_user(name, password="pw", is_staff=True)
        assignment_create(user=user, role=role, region=zhongshan)
        users.append(user)
    return users


@pytest.fixture
def draft(zhongshan, admins):
    editor = admins[0]
    local_matter_bind(
        region=zhongshan, matters=Matter.objects.filter(code__in=["GS0101", "GS0104"]), user=editor
    )
    local = LocalMatter.objects.get(region=zhongshan, matter__code="GS0101")
    counter = Channel.objects.get(code="counter")
    for position, code in enumerate(["CL001", "CL003"], start=1):
        item = ChecklistItem(
            local_matter=local,
            channel=counter,
            kind="main",
            position=position,
            material=Material.objects.get(code=code),
        )
        item._history_user = editor
        item.save()
    return local


def _fresh(user):
    return get_user_model().objects.get(pk=user.pk)  # drop the per-request grant cache


def test_publish_creates_an_immutable_numbered_release(zhongshan, admins, draft):
    result = release_publish(region=zhongshan, user=admins[0], comment="首次发布")
    release = result.release
    assert (release.number, release.matter_count, release.kind) == (1, 2, "publish")
    assert [item["material"] for item in release.snapshot["GS0101"]["checklists"]["counter"]["main"]] == [
        "CL001",
        "CL003",
    ]
    release.comment = "改写历史"
    with pytest.raises(ValidationError):
        release.save()
    with pytest.raises(ValidationError):
        release.delete()
    assert Release.objects.get(pk=release.pk).comment == "首次发布"


def test_publishing_an_unchanged_draft_is_refused(zhongshan, admins, draft):
    release_publish(region=zhongshan, user=admins[0], comment="v1")
    with pytest.raises(PublishRefused) as refused:
        release_publish(region=zhongshan, user=admins[0], comment="v2")
    assert refused.value.reason_code == "nothing_to_publish"


def test_unbound_matters_leave_the_next_release(zhongshan, admins, draft):
    release_publish(region=zhongshan, user=admins[0], comment="v1")
    local_matter_unbind(region=zhongshan, matters=Matter.objects.filter(code="GS0104"), user=admins[0])
    release = release_publish(region=zhongshan, user=admins[0], comment="v2").release
    assert set(release.snapshot) == {"GS0101"}


def test_rollback_to_any_release_creates_a_new_equal_release(zhongshan, admins, draft):
    first = release_publish(region=zhongshan, user=admins[0], comment="v1").release
    LocalMatter.objects.filter(pk=draft.pk).update(time_limit_days=9)
    second = release_publish(region=zhongshan, user=admins[0], comment="v2").release
    assert second.snapshot["GS0101"]["time_limit_days"] == 9
    third = release_rollback(region=zhongshan, to_number=1, user=admins[0])
    assert (third.number, third.kind, third.rolled_back_to) == (3, "rollback", 1)
    assert third.snapshot == first.snapshot
    assert Release.objects.filter(region=zhongshan).count() == 3  # nothing rewritten


def test_rollback_refusals(zhongshan, admins, draft):
    release_publish(region=zhongshan, user=admins[0], comment="v1")
    with pytest.raises(PublishRefused) as unknown:
        release_rollback(region=zhongshan, to_number=7, user=admins[0])
    assert unknown.value.reason_code == "unknown_release"
    with pytest.raises(PublishRefused) as same:
        release_rollback(region=zhongshan, to_number=1, user=admins[0])
    assert same.value.reason_code == "same_as_live"


def test_publishing_needs_the_capability_in_that_city(zhongshan, draft):
    clerk = get_user_model().objects.create_user("clerk", password="pw", is_staff=True)
    assignment_create(user=clerk, role=Role.objects.get(code="clerk"), region=zhongshan)
    with pytest.raises(PublishRefused) as refused:
        release_publish(region=zhongshan, user=clerk, comment="x")
    assert refused.value.reason_code == "not_allowed"
    foreign_admin = get_user_model().objects.create_user("gz_admin", password="pw", is_staff=True)
    assignment_create(
        user=foreign_admin, role=Role.objects.get(code="city_admin"), region=Region.objects.get(code="440100")
    )
    with pytest.raises(PublishRefused):
        release_publish(region=zhongshan, user=foreign_admin, comment="x")
    assert not Release.objects.exists()


def test_configuration_errors_block_publishing(zhongshan, admins, draft):
    LocalMatter.objects.filter(pk=draft.pk).update(flow_mode="instant", review_levels=2)
    with pytest.raises(PublishRefused) as refused:
        release_publish(region=zhongshan, user=admins[0], comment="x")
    assert refused.value.reason_code == "configuration_errors"
    assert "即办件" in refused.value.message


def test_four_eyes_refuses_the_last_editor_and_lets_another_publish(zhongshan, admins, draft):
    PublishPolicy.objects.create(region=zhongshan, review_required=True)
    editor, colleague = admins
    with pytest.raises(PublishRefused) as refused:
        release_publish(region=zhongshan, user=editor, comment="自己发布")
    assert refused.value.reason_code == "four_eyes"
    result = release_publish(region=zhongshan, user=colleague, comment="复核后发布")
    assert result.release.number == 1 and not result.emergency


def test_four_eyes_is_off_by_default(zhongshan, admins, draft):
    assert release_publish(region=zhongshan, user=admins[0], comment="x").release.number == 1


def test_emergency_publish_permission_bypasses_four_eyes_and_is_recorded(zhongshan, admins, draft, caplog):
    PublishPolicy.objects.create(region=zhongshan, review_required=True)
    editor = admins[0]
    role = Role.objects.get(code="city_admin")
    from django.contrib.auth.models import Permission

    role.permissions.add(Permission.objects.get(codename="emergency_publish"))
    with caplog.at_level("WARNING", logger="config_center.releases"):
        result = release_publish(region=zhongshan, user=_fresh(editor), comment="紧急")
    assert result.emergency and result.release.emergency
    assert "emergency publish" in caplog.text


def test_publish_command_and_its_refusals(zhongshan, admins, draft, capsys):
    call_command("publish_config", region="442000", user="zs_admin_a", comment="命令行发布")
    assert "已发布中山市第 1 版" in capsys.readouterr().out
    with pytest.raises(CommandError, match=r"\[nothing_to_publish\]"):
        call_command("publish_config", region="442000", user="zs_admin_a", comment="again")
    with pytest.raises(CommandError, match=r"\[unknown_region\]"):
        call_command("publish_config", region="999999", user="zs_admin_a", comment="x")
    with pytest.raises(CommandError, match=r"\[unknown_user\]"):
        call_command("publish_config", region="442000", user="nobody", comment="x")


def test_rollback_command(zhongshan, admins, draft, capsys):
    call_command("publish_config", region="442000", user="zs_admin_a", comment="v1")
    LocalMatter.objects.filter(pk=draft.pk).update(time_limit_days=9)
    call_command("publish_config", region="442000", user="zs_admin_a", comment="v2")
    call_command("rollback_config", region="442000", to_number=1, user="zs_admin_a")
    assert "新版本为第 3 版" in capsys.readouterr().out
    with pytest.raises(CommandError, match=r"\[unknown_release\]"):
        call_command("rollback_config", region="442000", to_number=42, user="zs_admin_a")


def test_publish_screen_shows_the_draft_diff_and_publishes(client, zhongshan, admins, draft):
    client.force_login(admins[1])
    url = reverse("admin:config_center_release_publish")
    page = client.get(url, {"region": "442000"}).content.decode()
    assert "草稿与线上版本的差异" in page and "柜台主材料" in page and "居民身份证（CL001）" in page
    response = client.post(url, {"region": "442000", "comment": "界面发布"}, follow=True)
    assert "已发布中山市第 1 版" in response.content.decode()
    assert Release.objects.get(region=zhongshan).comment == "界面发布"


def test_compare_screen_diffs_two_releases_and_the_draft(client, zhongshan, admins, draft):
    release_publish(region=zhongshan, user=admins[0], comment="v1")
    LocalMatter.objects.filter(pk=draft.pk).update(distribution_mode="province")
    release_publish(region=zhongshan, user=admins[0], comment="v2")
    LocalMatter.objects.filter(pk=draft.pk).update(time_limit_days=11)
    client.force_login(admins[0])
    url = reverse("admin:config_center_release_compare")
    page = client.get(url, {"region": "442000", "a": "1", "b": "2"}).content.decode()
    assert "分发模式" in page and "全省模式" in page
    page = client.get(url, {"region": "442000", "a": "2", "b": "draft"}).content.decode()
    assert "办理时限" in page and "11" in page


def test_rollback_screen_posts_a_rollback(client, zhongshan, admins, draft):
    first = release_publish(region=zhongshan, user=admins[0], comment="v1").release
    LocalMatter.objects.filter(pk=draft.pk).update(time_limit_days=9)
    release_publish(region=zhongshan, user=admins[0], comment="v2")
    client.force_login(admins[0])
    assert client.get(reverse("admin:config_center_release_change", args=[first.pk])).status_code == 200
    client.post(reverse("admin:config_center_release_rollback", args=[first.pk]))
    assert Release.objects.filter(region=zhongshan).latest().rolled_back_to == 1


def test_other_cities_releases_are_invisible_to_a_city_admin(client, zhongshan, admins, draft, superuser):
    guangzhou = Region.objects.get(code="440100")
    local_matter_bind(region=guangzhou, matters=Matter.objects.filter(code="GS0101"), user=superuser)
    foreign = release_publish(region=guangzhou, user=superuser, comment="广州").release
    client.force_login(admins[0])
    assert client.get(reverse("admin:config_center_release_change", args=[foreign.pk])).status_code != 200
    assert client.post(reverse("admin:config_center_release_rollback", args=[foreign.pk])).status_code in (
        403,
        404,
    )
    assert client.get(reverse("admin:config_center_release_compare"), {"region": "440100"}).status_code == 404
