-- Searches of one or two letters: "a" is inside nearly every contact, so the
-- list matches the start of a word instead ("an" finds Ann, Dana Andrews and
-- anna@…). A trigram index cannot serve so short a pattern; this array of
-- each word's first one and two letters, with a GIN index, can.
CREATE FUNCTION word_prefixes(words TEXT) RETURNS TEXT[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY(
        SELECT DISTINCT prefix
          FROM regexp_split_to_table(words, '[^[:alnum:]]+') AS word,
               LATERAL (VALUES (left(word, 1)), (left(word, 2))) AS prefixes(prefix)
         WHERE word <> ''
    );

ALTER TABLE cache_contacts ADD COLUMN search_prefixes TEXT[] GENERATED ALWAYS AS (
    word_prefixes(lower(display_name || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '') || ' ' || coalesce(company_name, '')))
) STORED;
CREATE INDEX cache_contacts_prefixes ON cache_contacts USING GIN (search_prefixes);
