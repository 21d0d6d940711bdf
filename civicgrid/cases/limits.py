"""How much free text a case takes: one limit per kind of text, for the forms and the API.

A page shows what was typed in full; these keep it readable (a 20,000-character
description made an 11,000-px page). The models' own ``max_length`` stand where they
are lower. Open311 keeps the 4,000 characters its specification allows.
"""

TITLE = 200
CONTENT = 2000  # what the citizen's form has always taken
ADDRESS = 255
NOTE = 1000  # a reason, an urging notice, what was seen on site
REPLY = 2000  # a reply or an answer to the citizen
