"""One prompt over many pictures: intake, the job, retries, structured answers, exports."""
