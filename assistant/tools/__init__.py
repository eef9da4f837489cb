"""The playbook's tools: checklists, go/no-go criteria and the ROI example parsed from the documents into a
catalog, scored and walked through (``service`` is what the Coach calls)."""
