"""Decodes Remote Execution API ActionResult messages with Google's protobuf runtime, from a
descriptor built here with the field numbers of build/bazel/remote/execution/v2
(Digest, OutputFile, ActionResult), and prints each as JSON. A message that does not parse,
or that protobuf would encode differently, fails."""
import json
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

PACKAGE = "build.bazel.remote.execution.v2"
T = descriptor_pb2.FieldDescriptorProto
f = descriptor_pb2.FileDescriptorProto(name="reapi_min.proto", package=PACKAGE, syntax="proto3")


def message(name, fields):
    m = f.message_type.add(name=name)
    for field, number, kind, label, type_name in fields:
        d = m.field.add(name=field, number=number, type=kind, label=label)
        if type_name:
            d.type_name = f".{PACKAGE}.{type_name}"


ONE, MANY = T.LABEL_OPTIONAL, T.LABEL_REPEATED
message("Digest", [("hash", 1, T.TYPE_STRING, ONE, None), ("size_bytes", 2, T.TYPE_INT64, ONE, None)])
message("OutputFile", [
    ("path", 1, T.TYPE_STRING, ONE, None),
    ("digest", 2, T.TYPE_MESSAGE, ONE, "Digest"),
    ("is_executable", 4, T.TYPE_BOOL, ONE, None),
    ("contents", 5, T.TYPE_BYTES, ONE, None),
])
message("ActionResult", [
    ("output_files", 2, T.TYPE_MESSAGE, MANY, "OutputFile"),
    ("exit_code", 4, T.TYPE_INT32, ONE, None),
    ("stdout_raw", 5, T.TYPE_BYTES, ONE, None),
    ("stdout_digest", 6, T.TYPE_MESSAGE, ONE, "Digest"),
])
pool = descriptor_pool.DescriptorPool()
pool.Add(f)
ActionResult = message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{PACKAGE}.ActionResult"))

for path in sys.argv[1:]:
    data = open(path, "rb").read()
    result = ActionResult()
    result.ParseFromString(data)
    assert result.SerializeToString() == data, f"{path}: not the canonical encoding"
    print(json.dumps(json_format.MessageToDict(result), sort_keys=True))
