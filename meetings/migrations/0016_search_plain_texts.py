"""
PostgreSQL: each recommendation's texts in lower case and without accents
(``plain_fr``, ``plain_en``), kept by the search vectors' trigger.

The first estimate of relevance asks whether a text holds the query's words
as typed, case and accents aside (``Backend.contains_sql``). Asked of the text
itself, that is a regular expression of every way to write the words, which
cost 5 µs a text: most of the time of a search that reads a few thousand
matches at once. Asked of the plain copy, it is a LIKE: under 1 µs.

``meetings_plain_text()`` is what the trigger computes for each row and what
the bulk loader computes for many rows at once, so that the two agree.
"""

from django.db import migrations

# Unaccented first, as Python does (meetings.search.text): "Œ" gives "OE", which
# lower() then lowers whatever the database's locale; lowered first, under the
# C locale, "Œ" would stay as it is and "OE" would remain.
PLAIN_FUNCTION = """
CREATE OR REPLACE FUNCTION meetings_plain_text(body text) RETURNS text AS $$
    SELECT lower(unaccent(coalesce(body, '')))
$$ LANGUAGE sql STABLE
"""

TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION meetings_recommendation_search_vectors() RETURNS trigger AS $$
BEGIN
    SELECT meetings_search_vector('french_unaccent', NEW.text_fr, t.title_fr, m.title_fr),
           meetings_search_vector('english_unaccent', NEW.text_en, t.title_en, m.title_en)
      INTO NEW.search_fr, NEW.search_en
      FROM (SELECT 1) AS one
      LEFT JOIN meetings_theme t ON t.id = NEW.theme_id
      LEFT JOIN meetings_meeting m ON m.id = t.meeting_id;
    NEW.plain_fr := meetings_plain_text(NEW.text_fr);
    NEW.plain_en := meetings_plain_text(NEW.text_en);
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""

# As migration 0008 wrote it.
PREVIOUS_TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION meetings_recommendation_search_vectors() RETURNS trigger AS $$
BEGIN
    SELECT meetings_search_vector('french_unaccent', NEW.text_fr, t.title_fr, m.title_fr),
           meetings_search_vector('english_unaccent', NEW.text_en, t.title_en, m.title_en)
      INTO NEW.search_fr, NEW.search_en
      FROM (SELECT 1) AS one
      LEFT JOIN meetings_theme t ON t.id = NEW.theme_id
      LEFT JOIN meetings_meeting m ON m.id = t.meeting_id;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""

FORWARD = [
    "ALTER TABLE meetings_recommendation ADD COLUMN plain_fr text, ADD COLUMN plain_en text",
    PLAIN_FUNCTION,
    TRIGGER_FUNCTION,
    # The triggers do not fire: no text changes.
    "UPDATE meetings_recommendation SET plain_fr = meetings_plain_text(text_fr), "
    "plain_en = meetings_plain_text(text_en)",
]
BACKWARD = [
    PREVIOUS_TRIGGER_FUNCTION,
    "DROP FUNCTION IF EXISTS meetings_plain_text(text)",
    "ALTER TABLE meetings_recommendation DROP COLUMN plain_fr, DROP COLUMN plain_en",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0015_search_vectors_inline")]

    operations = [migrations.RunPython(forward, backward)]
