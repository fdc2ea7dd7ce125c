import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * fabric8's Kubernetes API server stand-in in CRUD mode as a plain process: objects sent to it
 * are stored in memory and served back (get, list with label selectors, put, patch, delete,
 * watch); nothing schedules or runs them. Plain HTTP on 127.0.0.1.
 *
 * Pod logs: the CRUD dispatcher knows no `pods/{name}/log`; here it answers with the text of the
 * pod's annotation `k8s-mock.runstream.dev/log`, cut to `tailLines`, as text/plain (404 without
 * such a pod). Tests write that annotation where a kubelet would have written the container's output.
 *
 * Usage: java K8sMock <port|0> <port-file>. Port 0 takes a free port; the port actually bound is
 * written to port-file once the server answers.
 */
public final class K8sMock {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Path portFile = Path.of(args[1]);
    KubernetesMockServer server = new KubernetesMockServer(
        new Context(), new MockWebServer(), new HashMap<>(), new JsonContentType(new KubernetesCrudDispatcher()), false);
    server.init(InetAddress.getByName("127.0.0.1"), port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.destroy();
      stopped.countDown();
    }));
    Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
    Files.writeString(tmp, Integer.toString(server.getPort()));
    Files.move(tmp, portFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    System.out.println("k8s-mock listening on http://127.0.0.1:" + server.getPort());
    stopped.await();
  }

  /**
   * The CRUD dispatcher answers JSON without a Content-Type, which a real API server always sends
   * and @kubernetes/client-node needs to parse an answer.
   */
  private static final class JsonContentType extends Dispatcher {
    private final Dispatcher delegate;

    JsonContentType(Dispatcher delegate) {
      this.delegate = delegate;
    }

    private static final Pattern POD_LOG = Pattern.compile("^/api/v1/namespaces/[^/]+/pods/([^/?]+)/log(?:\\?(.*))?$");
    private static final Pattern TAIL_LINES = Pattern.compile("(?:^|&)tailLines=(\\d+)");
    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      MockResponse response = delegate.dispatch(request);
      Matcher log = POD_LOG.matcher(request.getPath());
      if ("GET".equals(request.getMethod()) && log.matches()) return podLog(response, log.group(1), log.group(2));
      if (response.getWebSocketListener() == null && response.header("Content-Type") == null) {
        response.setHeader("Content-Type", "application/json");
      }
      return response;
    }

    /** The CRUD dispatcher answered the namespace's pods as a list: find ours, serve its annotation. */
    private MockResponse podLog(MockResponse list, String pod, String query) {
      if (list.code() == 200) {
        for (JsonNode item : mapper.readTree(list.getBody().readUtf8()).path("items")) {
          if (!pod.equals(item.path("metadata").path("name").asString())) continue;
          String text = item.path("metadata").path("annotations").path("k8s-mock.runstream.dev/log").asString("");
          Matcher tail = TAIL_LINES.matcher(query == null ? "" : query);
          if (tail.find()) {
            String[] lines = text.split("\n", -1);
            int keep = Integer.parseInt(tail.group(1));
            int end = text.endsWith("\n") ? lines.length - 1 : lines.length;
            String[] kept = Arrays.copyOfRange(lines, Math.max(0, end - keep), end);
            text = kept.length == 0 ? "" : String.join("\n", kept) + (text.endsWith("\n") ? "\n" : "");
          }
          return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody(text.getBytes(StandardCharsets.UTF_8));
        }
      }
      String status = "{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404,\"message\":\"pods \\\"" + pod + "\\\" not found\"}";
      return new MockResponse().setResponseCode(404).setHeader("Content-Type", "application/json").setBody(status);
    }

    @Override
    public void shutdown() {
      delegate.shutdown();
    }
  }
}
