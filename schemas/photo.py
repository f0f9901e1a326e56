"""Photos: the metadata of an uploaded photo and the answer to an upload."""
from marshmallow import Schema, fields

UPLOAD_STATUSES = ["stored", "exists"]


class PhotoSchema(Schema):
    sha256 = fields.String(dump_only=True,
                           metadata={"description": "照片内容的 SHA-256（64位小写十六进制），即照片编号"})
    size = fields.Integer(dump_only=True, metadata={"description": "原图字节数"})
    mime = fields.String(dump_only=True,
                         metadata={"description": "按内容识别的类型：image/jpeg、image/png 或 image/webp"})
    width = fields.Integer(dump_only=True)
    height = fields.Integer(dump_only=True)
    uploaded_by = fields.Integer(dump_only=True, metadata={"description": "上传人账号 id"})
    station_id = fields.Integer(dump_only=True, allow_none=True,
                                metadata={"description": "上传人所属所（分局）；县局上传为空"})
    created_at = fields.DateTime(dump_only=True)


class PhotoUploadSchema(Schema):
    status = fields.String(dump_only=True, metadata={
        "description": "stored：本次已保存；exists：服务器已有这张照片，未重复保存", "enum": UPLOAD_STATUSES})
    photo = fields.Nested(PhotoSchema, dump_only=True)
