"""工作台: the console's home page (the admin site's index), per role, with the menu one click away.

What each user sees follows from what they may do:
- reviewers (初审 / 复审): their taken tasks and those waiting in their pools per level, and a 催办 notice of
  their taken tasks whose case is 临期 or 超期;
- whoever may query cases (业务状态查询): the cases of their scope by 流程状态, 临期 / 超期, transfers waiting;
- administrators (who may change 本地业务属性定义): per city, unpublished changes, incomplete matters, failed SMS;
- province-wide readers: per city over a chosen period, cases accepted, 通办, average handling time and the
  share overdue, as a table and an SVG chart.
Every figure is an aggregate query (``routing.figures``, the releases' and drafts' selectors); the number of
queries does not grow with cases, tasks or cities.
"""

from .view import home_view

__all__ = ["home_view"]
