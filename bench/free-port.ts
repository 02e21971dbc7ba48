import { createServer } from "node:net"

/** A port the OS just handed out on 127.0.0.1 (closed again before devrig binds it). */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer()
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })
