"""The draft tables as spreadsheets, one module per kind of row, with the Chinese headers documented in
README.md: a local matter's own fields (事项绑定, 属性配置, 标签), what hangs off a bound matter (材料清单,
短信配置, 打印配置) and the province's tables of the configuration centre (打印模板, 查询标签)."""

from .bindings import ChecklistItemResource, PrintSlotResource, SmsSlotResource
from .local_matters import LocalMatterPropertiesResource, LocalMatterResource, LocalMatterTagsResource
from .province import PrintTemplateResource, TagResource

__all__ = [
    "ChecklistItemResource",
    "LocalMatterPropertiesResource",
    "LocalMatterResource",
    "LocalMatterTagsResource",
    "PrintSlotResource",
    "PrintTemplateResource",
    "SmsSlotResource",
    "TagResource",
]
