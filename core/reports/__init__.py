"""The family's report: composed once from approved texts, rendered to Markdown, HTML and PDF, stored immutably."""
