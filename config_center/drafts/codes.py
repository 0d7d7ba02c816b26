"""The codes of a local matter's configuration (pure: no Django, so the rules and the engine share them).

A code is defined here once; its label is the model's choice (``drafts.models``). These are also the
keys of the configuration a release stores (``drafts.diff``).
"""

# 分发模式
LOCAL = "local"
PROVINCE = "province"
DISTRIBUTION_MODES = (LOCAL, PROVINCE)

# 主流程方式
PROMISED = "promised"
INSTANT = "instant"

# 业务审核级别: 一级 (初审) or 二级 (初审 + 复审)
REVIEW_LEVELS = (1, 2)

# The three ordered lists of a channel
MAIN = "main"
AUXILIARY = "auxiliary"
APPLICATION = "application"
LIST_KINDS = (MAIN, AUXILIARY, APPLICATION)

# The print document that alone may carry a 验伪码
COMPLETION = "completion"

# Tag kinds
ACCEPTANCE_TAGS = "acceptance"
REVIEW_TAGS = "review"
TAG_KINDS = (ACCEPTANCE_TAGS, REVIEW_TAGS)
