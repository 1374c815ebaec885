-- TEMPORARY stand-in on the threads branch: 0005_staff comes from another branch (ISSUE11.md).
-- At merge, take the other branch's file.
SELECT 1;
