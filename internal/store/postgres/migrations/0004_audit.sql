-- TEMPORARY stand-in on the threads branch: 0004_audit comes from another branch (ISSUE11.md).
-- At merge, take the other branch's file.
SELECT 1;
