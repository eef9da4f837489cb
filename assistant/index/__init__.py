"""What is searched and how: the corpus in memory (texts, chunks, quotable units and their vectors), the
playbook's vocabulary, the embedder, the vector store, the index files on disk, hybrid retrieval and the
speller that reads slips as the playbook's words."""
