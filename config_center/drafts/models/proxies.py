"""Proxies of catalog models for the 定制本地业务 screens (category list → matters of a category)."""

from django.utils.translation import gettext_lazy as _

from catalog.models import Matter, MatterCategory


class BindingCategory(MatterCategory):
    class Meta:
        proxy = True
        verbose_name = _("定制本地业务")
        verbose_name_plural = _("定制本地业务")


class BindableMatter(Matter):
    class Meta:
        proxy = True
        verbose_name = _("可定制业务")
        verbose_name_plural = _("可定制业务")
