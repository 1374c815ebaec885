-- TEMPORARY stand-in on the threads branch: 0006_incidents comes from another branch (ISSUE11.md).
-- At merge, take the other branch's file.
SELECT 1;
