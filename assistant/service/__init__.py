"""The service every interface calls: the ``Coach`` facade, chat routing, the session store, the ledger of
answers and feedback, and the guards on what users send."""
