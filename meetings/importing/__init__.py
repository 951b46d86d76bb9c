"""
Importing the archive: parse the source pages, build the fixture, load it.

The data flows one way through three modules: ``parsing`` turns a source page
into plain dataclasses (no Django), ``archive_fixture`` pairs the French and
English parses into the fixture's records, and ``loading`` writes those
records to the database in one transaction.
"""
