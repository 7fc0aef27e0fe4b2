package dev.meshwork.gateway.internal;

import com.google.protobuf.Message;
import com.linecorp.armeria.common.grpc.GrpcJsonMarshaller;
import dev.meshwork.core.GrpcErrors;
import dev.meshwork.core.MeshException;
import io.grpc.MethodDescriptor.Marshaller;
import io.grpc.MethodDescriptor.PrototypeMarshaller;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Armeria's JSON hook, backed by {@link ProtoJson}: the transcoder hands it the request document
 * (body, path variables and query parameters merged), and a refused document becomes an {@code
 * INVALID_ARGUMENT} status with {@code BadRequest} field violations instead of the lenient
 * default's silent dropping of unknown fields.
 */
public final class StrictJsonMarshaller implements GrpcJsonMarshaller {

  /** The one instance; it holds no state. */
  public static final StrictJsonMarshaller INSTANCE = new StrictJsonMarshaller();

  private StrictJsonMarshaller() {}

  @Override
  public <T> void serializeMessage(Marshaller<T> marshaller, T message, OutputStream os)
      throws IOException {
    os.write(ProtoJson.print((Message) message).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T deserializeMessage(Marshaller<T> marshaller, InputStream is) throws IOException {
    Message prototype = (Message) ((PrototypeMarshaller<T>) marshaller).getMessagePrototype();
    Message.Builder builder = prototype.newBuilderForType();
    String json = new String(is.readAllBytes(), StandardCharsets.UTF_8);
    try {
      ProtoJson.merge(json, builder);
    } catch (MeshException e) {
      throw GrpcErrors.toStatusException(e);
    }
    return (T) builder.build();
  }
}
