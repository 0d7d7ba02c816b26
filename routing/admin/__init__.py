"""The case screens: 业务受理 (counter, transfer), 任务列表 (review tasks), 业务状态查询 (query); one module each."""

from . import cases, counter, jurisdiction, lifecycle, tasks, transfer  # noqa: F401
