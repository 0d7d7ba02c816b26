"""What the release commands share: find the city and the acting user, or stop with a clear message."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from catalog.models import Region


def city_and_user(region_code: str, username: str) -> tuple[Region, object]:
    city = Region.objects.filter(code=region_code, level=Region.Level.CITY).first()
    if city is None:
        raise CommandError(f"[unknown_region] 地级市 {region_code} 不存在。")
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"[unknown_user] 用户 {username} 不存在或已停用。")
    return city, user
