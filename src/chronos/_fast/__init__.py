"""Speed-only machinery, kept beside the readable path it must always agree with.

Nothing here changes an answer: each module is checked against the plain code it replaces
(the generated decoders against cattrs, the catalogue cache against tomllib, the near-match
index against a scan of every name).
"""
