"""The knowledge base, shipped as package data (``zhunru.kb``).

``common.lp`` holds the ladders and engine-wide interpretation notes, ``rules.lp``
the one generic interpreter, and ``facts/`` one file per specification.
"""
