"""Files: uploaded straight to S3 with a presigned POST, checked by a worker fed by the bucket's
ObjectCreated notifications (through SQS), served with short-lived presigned GETs.

- :mod:`.service`: the API's rules (create, read, list, rename, delete; who may see what);
- :mod:`.processing`: the worker's rules (real size, magic bytes, previews through an injected
  imaging adapter: the imaging library lives only in the worker function);
- :mod:`.attachments`: :func:`~.attachments.attachable_files`, the one rule for what a message
  or an artifact may attach.
"""
