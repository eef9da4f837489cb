"""The offline answer: a message read (``message``, ``asking``, ``premise``, ``followup``), lines scored
(``scoring``), chosen and brought whole (``selection``, ``outlines``, ``passage``), written out with citations
(``rendering``); ``extractive`` runs these stages and ``answering`` the whole answer to one question."""
