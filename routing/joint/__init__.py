"""联办申请 (工伤「一件事一次办」, 000 第四部分 and 001's Yongkang model): one application, split into one case per
matter (拆包推送), handled in the order of the catalog's prerequisites (按责办结), each step told to the applicant
(分步反馈). ``planning`` and ``graph`` are pure; ``models``, ``services``, ``hooks``, ``api`` and ``admin`` are
the Django side. Nothing is imported here, so the pure modules stay free of the ORM.
"""
