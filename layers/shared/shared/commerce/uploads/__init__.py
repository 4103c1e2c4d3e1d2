"""Direct-to-S3 uploads with presigned POST policies (the bytes never pass through Lambda)."""
