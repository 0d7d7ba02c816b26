"""Benefit standards (待遇标准): one-off disability benefits as months of the worker's own wage by grade.

``rules`` computes (pure); ``models`` holds the province's standards with their history; ``services`` writes
them (the admin, the importer and the reference data alike); ``selectors`` reads them as plain data; ``api``
answers ``POST /api/v1/benefits/compute``; ``resources`` are the 待遇项目 / 待遇标准 sheets.
"""
