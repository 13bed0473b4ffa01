"""Length limits of the free-text fields that reach a printed PDF.

Set as ``max_length`` on the models' TextFields: a model form refuses a longer text with
Django's own message (in Chinese: 确保该值最多包含 N 个字符), and the text area stops typing
there. The limits are generous for the documents they hold and keep every PDF well inside the
renderer's budget (``unionportal.pdf_bounds``).
"""

RECORD_TEXT = 10_000  # an agenda, decisions, a resolution, a case's description (会议议题, 决议)
NAME_LIST = 5_000  # names one a line: attendees, absentees
DUTY_TEXT = 5_000  # one cell of a duty card (名称, 职责边界, 运行流程, 监督方式) or an indicator's text
NOTE = 2_000  # a comment, a reason, an explanation, a result
