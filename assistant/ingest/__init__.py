"""From knowledge files to the index: loading, cleaning, structure, chunking into passages and quotable
units, and the ingest pipeline that embeds and stores them and parses the playbook's tools."""
