/**
 * An admin client whose connection can be replaced under its users. kafkajs asks its
 * metadata requests about every topic the client was ever asked about, and one deleted
 * since fails them all ("This server does not host this topic-partition"): a backup whose
 * topic was deleted renews its admin rather than fail every admin call after that.
 */
import type { Admin } from "./kafkajs.ts";

export interface RenewableAdmin {
  /** Always the current connection. */
  admin: Admin;
  /** Connects a new admin, then lets the old one go. */
  renew(): Promise<void>;
}

export function renewableAdmin(first: Admin, connect: () => Promise<Admin>): RenewableAdmin {
  let current = first;
  const admin = new Proxy({} as Admin, {
    get(_target, property) {
      const value = Reflect.get(current, property);
      return typeof value === "function" ? value.bind(current) : value;
    },
  });
  return {
    admin,
    async renew() {
      const next = await connect();
      const old = current;
      current = next;
      await old.disconnect().catch(() => {});
    },
  };
}
