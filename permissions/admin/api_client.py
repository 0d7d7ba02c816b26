"""接口调用方 (系统管理): clients of the API with their scopes, places and rate limits; a new or rotated token is
shown once, on the page that answers the save or the action (never stored, never put in a message or a cookie)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .. import api_rules
from ..admin_mixins import ProvinceWideAdminMixin
from ..models import ApiClient
from ..services import (
    api_client_create,
    api_client_revoke,
    api_client_rotate,
    api_client_save,
    service_username_taken,
)

TOKEN_TEMPLATE = "admin/permissions/apiclient/token.html"


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("接口权限"),
        choices=[(name, f"{name}：{label}") for name, label in api_rules.SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ApiClient
        fields = ["name", "description", "scopes", "cities", "agencies", "rate_limit", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["scopes"] = list(self.instance.scope_names)

    def clean_scopes(self) -> str:
        return api_rules.scopes_text(self.cleaned_data["scopes"])

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if service_username_taken(name, user_id=self.instance.user_id):
            raise ValidationError(
                _("服务账号 api.%(name)s 的用户名已被占用，请换一个名称。") % {"name": name}
            )
        return name


@admin.register(ApiClient)
class ApiClientAdmin(ProvinceWideAdminMixin, SimpleHistoryAdmin):
    form = ApiClientForm
    menu_group = "system"
    menu_order = 83
    list_display = [
        "name",
        "token_prefix",
        "scope_list",
        "place_count",
        "rate_limit",
        "is_active",
        "last_used_at",
    ]
    search_fields = ["name", "description", "token_prefix"]
    autocomplete_fields = ["cities", "agencies"]
    readonly_fields = ["token_prefix", "service_user", "created_at", "last_used_at"]
    actions = ["rotate_tokens", "revoke_clients"]

    def get_fields(self, request, obj=None):
        fields = ["name", "description", "scopes", "cities", "agencies", "rate_limit", "is_active"]
        return fields + self.readonly_fields if obj is not None else fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_queryset(self, request):
        # The counts of places in the list: one query with the rows, not one per row.
        return (
            super()
            .get_queryset(request)
            .select_related("user")
            .annotate(
                city_count=Count("cities", distinct=True), agency_count=Count("agencies", distinct=True)
            )
        )

    @admin.display(description=_("接口权限"))
    def scope_list(self, obj: ApiClient) -> str:
        return "、".join(obj.scope_names) or "—"

    @admin.display(description=_("可提交业务的地市 / 机构"))
    def place_count(self, obj: ApiClient) -> str:
        return _("%(cities)s 个地市，%(agencies)s 个机构") % {
            "cities": obj.city_count,
            "agencies": obj.agency_count,
        }

    @admin.display(description=_("服务账号"))
    def service_user(self, obj: ApiClient) -> str:
        return obj.user.username

    def has_delete_permission(self, request, obj=None):
        return False  # a client stays, revoked, for the 追踪 records that name it

    def save_model(self, request, obj, form, change):
        if change:
            # Its places (saved next, in the same transaction) reach every process too: on commit.
            api_client_save(client=obj, actor=request.user)
        else:
            request._issued_tokens = [(obj, api_client_create(client=obj, actor=request.user))]

    def response_add(self, request, obj, post_url_continue=None):
        return self._tokens_page(request, request._issued_tokens, _("新接口调用方的令牌"))

    def _tokens_page(self, request, issued, title):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "issued": issued,
        }
        response = TemplateResponse(request, TOKEN_TEMPLATE, context)
        response["Cache-Control"] = "no-store"  # the token must not be kept by a browser or a proxy
        return response

    @admin.action(description=_("轮换令牌（旧令牌立即失效，新令牌只显示一次）"), permissions=["change"])
    def rotate_tokens(self, request, queryset):
        issued = [(client, api_client_rotate(client=client, actor=request.user)) for client in queryset]
        return self._tokens_page(request, issued, _("轮换后的令牌"))

    @admin.action(description=_("吊销（停用接口调用方，令牌立即失效）"), permissions=["change"])
    def revoke_clients(self, request, queryset):
        revoked = [
            api_client_revoke(client=client, actor=request.user) for client in queryset.filter(is_active=True)
        ]
        self.message_user(request, _("已吊销 %(n)s 个接口调用方。") % {"n": len(revoked)}, messages.SUCCESS)
