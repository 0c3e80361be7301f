-- qgrant schema, version 2: an invitation of a no-application round (免申即享) keeps the
-- application its unit's registry record makes, so that confirming it submits that application
-- pre-filled (CONTRACT §7 "Further routes"); and the unit's name, for lists and pages.
ALTER TABLE invitations ADD COLUMN application TEXT;
ALTER TABLE invitations ADD COLUMN name TEXT;
