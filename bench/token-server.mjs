// A loopback server for the CPU benchmark: answers every POST with a fixed CreateToken reply.
// It runs in its own process so its CPU is not counted against the client.
import http from "node:http"

const body = JSON.stringify({
  accessToken: "aoaAAAAAGexampleAccessToken0123456789",
  tokenType: "Bearer",
  expiresIn: 3600,
  refreshToken: "aorAAAAAGexampleRefreshToken0123456789"
})
const server = http.createServer((req, res) => {
  req.resume()
  req.on("end", () => {
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      "x-amzn-requestid": "00000000-0000-4000-8000-000000000000"
    })
    res.end(body)
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => console.log(server.address().port))
