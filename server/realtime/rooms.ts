/** The socket.io room of a store's terminals (each socket joins its own store's). */
export const storeRoom = (storeId: string) => `store:${storeId}`;
