import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.concurrent.CountDownLatch;

/**
 * fabric8's Kubernetes API server stand-in in CRUD mode as a plain process: objects sent to it
 * are stored in memory and served back (get, list with label selectors, put, patch, delete,
 * watch); nothing schedules or runs them. Plain HTTP on 127.0.0.1.
 *
 * Usage: java K8sMock <port|0> <port-file>. Port 0 takes a free port; the port actually bound is
 * written to port-file once the server answers.
 */
public final class K8sMock {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Path portFile = Path.of(args[1]);
    KubernetesMockServer server = new KubernetesMockServer(
        new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
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
}
