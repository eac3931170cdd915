# A TCP proxy for the tests: passes every connection on to the hub at
# 127.0.0.1:PORT, but for a request that starts "POST /api/v3/negotiations"
# it closes the client's connection when the hub's reply comes, instead of
# passing it on: the submit arrived, its reply never did.
#   usage: python3 drop_reply.py HUB_PORT   (prints its own port, then serves)
import socket
import sys
import threading

hub_port = int(sys.argv[1])
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(16)
print(server.getsockname()[1], flush=True)


def serve(client):
    hub = socket.create_connection(("127.0.0.1", hub_port))
    # Connections are reused: look at every request sent on this one.
    submitted = threading.Event()

    def up():
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    break
                if b"POST /api/v3/negotiations " in data:
                    submitted.set()
                hub.sendall(data)
        except OSError:
            pass

    threading.Thread(target=up, daemon=True).start()
    try:
        while True:
            data = hub.recv(65536)
            if not data or submitted.is_set():
                break  # the submit's reply has come: drop it
            client.sendall(data)
    except OSError:
        pass
    client.close()
    hub.close()


while True:
    conn, _ = server.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
