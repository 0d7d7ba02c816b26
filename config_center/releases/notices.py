"""未发布的修改: what the draft screens say about their cities' drafts (contributed in ``contributions.py``).

Saving a local matter changes the draft only; the runtime serves the latest release. The draft screens
show, per city, how many matters differ from that release, a link to the diff, and 发布 for those who may
publish it — which opens the publish screen, so a publish still needs its comment and passes every check
of ``release_publish`` (validity, four eyes).
"""

from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse

from . import selectors

COMPARE_URL = "admin:config_center_release_compare"
PUBLISH_URL = "admin:config_center_release_publish"
DRAFT = "draft"  # the compare screen's name for the draft side


def _url(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def unpublished_changes_notice(request, regions) -> str:
    """The banner for these cities (None: the cities whose draft the user changed since their latest release)."""
    user = request.user
    if regions is None:
        regions = selectors.cities_with_unpublished_edits_by(user)
    rows = []
    for status in selectors.draft_statuses(list(regions)):
        region = status.region
        rows.append(
            {
                "status": status,
                "compare_url": _url(
                    COMPARE_URL, region=region.code, a=status.live.number if status.live else 0, b=DRAFT
                )
                if status.pending and selectors.may_compare(user, region)
                else "",
                "publish_url": _url(PUBLISH_URL, region=region.code)
                if status.pending and selectors.may_publish(user, region)
                else "",
            }
        )
    if not rows:
        return ""
    return render_to_string("admin/config_center/release/unpublished_notice.html", {"rows": rows}, request)
