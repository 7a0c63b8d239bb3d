@echo off
rem Registers the nightly vendor check in Task Scheduler, as the current
rem user, every day at 02:30. Run it once from the folder gstbatch.exe was
rem unzipped to; remove it with: schtasks /Delete /TN "gstbatch nightly verify"
schtasks /Create /F /TN "gstbatch nightly verify" /SC DAILY /ST 02:30 /TR "\"%~dp0nightly-verify.cmd\""
